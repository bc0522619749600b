import { useState } from 'preact/hooks';
import { api, ApiProblem, Customer, Page, query } from '../api';
import { Link, Loaded, PagerControls, ProblemView, useAsync, usePager, When } from '../components';
import { navigate } from '../router';

/**
 * The customer list, newest first, with cursor paging. The API has no full-text search: the box
 * filters the page shown by id, name or email, and "Open" looks an exact id up.
 */
export function CustomersPage() {
  const pager = usePager();
  const [filter, setFilter] = useState('');
  const [lookupError, setLookupError] = useState<unknown>(undefined);
  const page = useAsync(() => api.get<Page<Customer>>(`/v1/customers${query({ limit: 25, starting_after: pager.cursor })}`), [pager.cursor]);
  const open = async (event: Event) => {
    event.preventDefault();
    setLookupError(undefined);
    const id = filter.trim();
    if (!id) return;
    try {
      await api.get<Customer>(`/v1/customers/${encodeURIComponent(id)}`);
      navigate(`/customers/${encodeURIComponent(id)}`);
    } catch (error) {
      setLookupError(error instanceof ApiProblem && error.status === 404 ? new Error(`No customer has the id "${id}".`) : error);
    }
  };
  const needle = filter.trim().toLowerCase();
  return (
    <>
      <h1>Customers</h1>
      <form class="toolbar" role="search" onSubmit={open}>
        <label for="customer-search">Search</label>
        <input id="customer-search" type="search" placeholder="id, name or email" value={filter} onInput={(event) => setFilter(event.currentTarget.value)} />
        <button type="submit">Open by id</button>
      </form>
      <ProblemView error={lookupError} />
      <Loaded state={page}>
        {(data) => {
          const rows = data.data.filter(
            (customer) => !needle || [customer.id, customer.name, customer.email].some((text) => text?.toLowerCase().includes(needle)),
          );
          return (
            <>
              <div class="table-wrap">
                <table>
                  <caption class="sr-only">Customers</caption>
                  <thead>
                    <tr>
                      <th scope="col">Id</th>
                      <th scope="col">Name</th>
                      <th scope="col">Email</th>
                      <th scope="col">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((customer) => (
                      <tr key={customer.id}>
                        <td>
                          <Link to={`/customers/${encodeURIComponent(customer.id)}`}>{customer.id}</Link>
                        </td>
                        <td>{customer.name ?? '—'}</td>
                        <td>{customer.email ?? '—'}</td>
                        <td>
                          <When at={customer.created_at} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {rows.length === 0 && <p class="muted">No customer on this page matches.</p>}
              <PagerControls pager={pager} hasMore={data.has_more} nextCursor={data.next_cursor} />
            </>
          );
        }}
      </Loaded>
    </>
  );
}
