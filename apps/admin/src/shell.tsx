import { Button, LanguageSwitch, Spinner } from "@regulars/web-ui";
import { lazy, Suspense, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { NavLink, Route, Routes } from "react-router";
import { pages } from "./pages.ts";
import { useSession } from "./session.tsx";

/** The menu of the pages this person's role may use, and the page itself beside it. */
export function Shell() {
  const { t } = useTranslation("common");
  const { session, signOut } = useSession();
  const role = session!.staff.role;
  const allowed = useMemo(() => pages.filter((p) => !p.roles || p.roles.includes(role)), [role]);
  const routes = useMemo(() => allowed.map((p) => ({ page: p, Component: lazy(p.load) })), [allowed]);

  return (
    <div className="flex min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">
        {t("skipToContent")}
      </a>
      <nav aria-label={t("menu")} className="w-56 shrink-0 border-r border-slate-200 bg-white p-3">
        <p className="mb-1 px-2 text-lg font-semibold text-emerald-800">Regulars</p>
        <p className="mb-4 px-2 text-xs text-slate-600">{session!.tenant.name}</p>
        <ul className="flex flex-col gap-0.5">
          {allowed
            .filter((p) => !p.hideFromNav)
            .map((p) => (
              <li key={p.name}>
                <NavLink
                  to={`/${p.path}`}
                  end={p.path === ""}
                  className={({ isActive }) =>
                    `block rounded px-2 py-1.5 text-sm ${isActive ? "bg-emerald-50 font-semibold text-emerald-900" : "text-slate-800 hover:bg-slate-100"}`
                  }
                >
                  {t(`${p.name}:${p.navLabel}`)}
                </NavLink>
              </li>
            ))}
        </ul>
      </nav>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-end gap-3 border-b border-slate-200 bg-white px-4 py-2">
          <span className="text-sm text-slate-700">
            {session!.staff.name} · {t(`roles.${role}`)}
          </span>
          <LanguageSwitch />
          <Button tone="secondary" onClick={() => void signOut()}>
            {t("signOut")}
          </Button>
        </header>
        <main id="main" className="flex-1 p-6">
          <Suspense fallback={<Spinner label={t("loading")} />}>
            <Routes>
              {routes.map(({ page, Component }) => (
                <Route key={page.name} path={page.path === "" ? "/" : `/${page.path}/*`} element={<Component />} />
              ))}
              <Route path="*" element={<p>{t("notFound")}</p>} />
            </Routes>
          </Suspense>
        </main>
      </div>
    </div>
  );
}
