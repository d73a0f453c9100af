import { useSession } from "../../session.tsx";

/** The API lets every admin key change campaigns; the staff roles that run marketing are the ones shown how. */
export function useCanEditCoupons(): boolean {
  const role = useSession().session?.staff.role;
  return role === "owner" || role === "marketer";
}
