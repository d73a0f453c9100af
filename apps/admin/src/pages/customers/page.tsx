import { Route, Routes } from "react-router";
import { CustomerPage } from "./customer.tsx";
import { CustomerSearch } from "./search.tsx";

/** Search at /customers, one customer at /customers/:id. */
export default function CustomersPage() {
  return (
    <Routes>
      <Route index element={<CustomerSearch />} />
      <Route path=":id" element={<CustomerPage />} />
    </Routes>
  );
}
