import { api, Page, PricePlanVersion, query } from '../api';
import { Link, Loaded, PagerControls, useAsync, usePager, When } from '../components';
import { formatMoney, formatQuantity, formatUnitPrice } from '../format/money';
import { priceCurve } from '../format/price-curve';
import { PriceChart } from '../price-chart';

export function PlansPage() {
  const pager = usePager();
  const page = useAsync(() => api.get<Page<PricePlanVersion>>(`/v1/price-plans${query({ limit: 50, starting_after: pager.cursor })}`), [pager.cursor]);
  return (
    <>
      <h1>Plans</h1>
      <Loaded state={page}>
        {(data) => (
          <>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Plan</th>
                    <th scope="col">Name</th>
                    <th scope="col">Latest version</th>
                    <th scope="col">Currency</th>
                    <th scope="col">Interval</th>
                    <th scope="col">Charges</th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.map((plan) => (
                    <tr key={plan.id}>
                      <td>
                        <Link to={`/plans/${encodeURIComponent(plan.id)}`}>{plan.id}</Link>
                      </td>
                      <td>{plan.name}</td>
                      <td>v{plan.version}</td>
                      <td>{plan.currency}</td>
                      <td>{plan.billing_interval ?? 'none'}</td>
                      <td>{plan.charges.length}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {data.data.length === 0 && <p class="muted">No plan.</p>}
            <PagerControls pager={pager} hasMore={data.has_more} nextCursor={data.next_cursor} />
          </>
        )}
      </Loaded>
    </>
  );
}

export function PlanPage({ id }: { id: string }) {
  const versions = useAsync(() => api.get<Page<PricePlanVersion>>(`/v1/price-plans/${encodeURIComponent(id)}/versions${query({ limit: 100 })}`), [id]);
  return (
    <>
      <h1>
        Plan <code>{id}</code>
      </h1>
      <Loaded state={versions}>{(page) => page.data.map((version) => <PlanVersion key={version.version} version={version} />)}</Loaded>
    </>
  );
}

type Charge = PricePlanVersion['charges'][number];

function PlanVersion({ version }: { version: PricePlanVersion }) {
  return (
    <section aria-labelledby={`version-${version.version}`} class="card">
      <h2 id={`version-${version.version}`}>
        Version {version.version}: {version.name}
      </h2>
      <p class="muted">
        {version.currency}, billed {version.billing_interval ? `per ${version.billing_interval}` : 'on demand'}, created <When at={version.created_at} />
      </p>
      {version.charges.map((charge, index) => (
        <ChargeView key={index} charge={charge} currency={version.currency} />
      ))}
    </section>
  );
}

function ChargeView({ charge, currency }: { charge: Charge; currency: string }) {
  const metric = 'metric_key' in charge ? charge.metric_key : undefined;
  const title = `${charge.model.replace('_', ' ')}${metric ? ` on ${metric}` : ''}`;
  if (charge.model === 'tiered' || charge.model === 'volume') {
    const tiers = charge.properties.tiers;
    const curve = priceCurve(charge);
    return (
      <div class="tiered">
        <div class="table-wrap">
          <table>
            <caption>{title}</caption>
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">Up to</th>
                <th scope="col" class="num">
                  Unit amount
                </th>
                <th scope="col" class="num">
                  Flat amount
                </th>
              </tr>
            </thead>
            <tbody>
              {tiers.map((tier, index) => {
                const previous = index === 0 ? undefined : tiers[index - 1].up_to;
                return (
                  <tr key={index}>
                    <td>{previous === undefined || previous === null ? '0' : `above ${formatQuantity(String(previous))}`}</td>
                    <td>{tier.up_to === null ? '∞' : formatQuantity(String(tier.up_to))}</td>
                    <td class="num">{formatUnitPrice(tier.unit_amount, currency)}</td>
                    <td class="num">{formatUnitPrice(tier.flat_amount, currency)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {curve && <PriceChart points={curve} label={title} />}
      </div>
    );
  }
  const properties = charge.properties as Record<string, string | null>;
  return (
    <div class="charge">
      <h3>{title}</h3>
      <dl class="facts">
        {Object.entries(properties).map(([name, value]) => (
          <>
            <dt key={`${name}-term`}>{name.replace(/_/g, ' ')}</dt>
            <dd key={`${name}-value`}>{value === null ? '—' : /amount|per_event/.test(name) ? formatMoney(value, currency) : formatQuantity(value)}</dd>
          </>
        ))}
      </dl>
    </div>
  );
}
