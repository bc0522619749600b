import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { expectStatus } from '../testing/expect-status';
import { testLogoPng } from '../testing/test-logo';
import { InvoicingAppModule } from '../invoicing-app.module';

/* Single-service tier: GET/PUT /v1/settings (issuer and invoice options) on a real PostgreSQL. */
describe('issuer settings (service alone)', () => {
  let sut: ServiceUnderTest;

  beforeAll(async () => {
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), { stub: ['catalog', 'pricing', 'aggregation'] });
  });

  afterAll(async () => {
    await sut?.stop();
  });

  const logo = testLogoPng().toString('base64');
  const valid = () => ({
    issuer: {
      name: 'Abaxus Demo Ltd',
      address: { line1: '1 Long Lane', city: 'London', postal_code: 'EC1A 9HF', country: 'GB' },
      tax_id: 'GB123456789',
      email: 'billing@abaxus.example',
      logo_png: logo,
    },
    invoice: { payment_terms_days: 14, footer: 'IBAN GB29 NWBK 6016 1331 9268 19', number_prefix: 'ABX' },
  });
  const put = (body: unknown) => sut.api('PUT', '/v1/settings', body);
  const fieldsOf = (body: { errors?: Array<{ field: string }> }) => [...new Set((body.errors ?? []).map((error) => error.field))].sort();

  it('answers the defaults before any PUT: no issuer, 30 days, prefix INV', async () => {
    expect(expectStatus(await sut.api('GET', '/v1/settings'), 200).body).toEqual({
      issuer: null,
      invoice: { payment_terms_days: 30, footer: null, number_prefix: 'INV' },
      updated_at: null,
    });
  });

  it('replaces the settings whole and answers them as stored, the logo as sent', async () => {
    const saved = expectStatus(await put(valid()), 200).body;
    expect(saved).toEqual({
      issuer: { ...valid().issuer, address: { ...valid().issuer.address, line2: null, state: null } },
      invoice: valid().invoice,
      updated_at: expect.stringMatching(/Z$/),
    });
    expect(expectStatus(await sut.api('GET', '/v1/settings'), 200).body).toEqual(saved);

    // Optional fields left out take their defaults; the logo's line breaks (base64's own) are ignored.
    const wrapped = logo.replace(/.{76}/g, '$&\n');
    const minimal = expectStatus(await put({ issuer: { name: 'Minimal', address: valid().issuer.address, logo_png: wrapped } }), 200).body;
    expect(minimal).toMatchObject({
      issuer: { name: 'Minimal', tax_id: null, email: null, logo_png: logo },
      invoice: { payment_terms_days: 30, footer: null, number_prefix: 'INV' },
    });
  });

  /** A PNG whose header is fine but whose image data is not a zlib stream (a renderer inflating it would throw). */
  function pngWithBrokenData(): string {
    const good = testLogoPng(4, 4);
    const idatAt = good.indexOf('IDAT', 0, 'latin1') - 4;
    const broken = Buffer.from(good);
    const garbage = Buffer.from('this is not zlib');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(garbage.length);
    const crcInput = Buffer.concat([Buffer.from('IDAT', 'latin1'), garbage]);
    let crc = 0xffffffff;
    for (const byte of crcInput) {
      crc ^= byte;
      for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
    }
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
    const idatLength = broken.readUInt32BE(idatAt);
    return Buffer.concat([broken.subarray(0, idatAt), length, crcInput, sum, broken.subarray(idatAt + 12 + idatLength)]).toString('base64');
  }

  const withIssuer = (changes: Record<string, unknown>) => ({ ...valid(), issuer: { ...valid().issuer, ...changes } });
  const withInvoice = (changes: Record<string, unknown>) => ({ ...valid(), invoice: { ...valid().invoice, ...changes } });
  const address = (changes: Record<string, unknown>) => withIssuer({ address: { ...valid().issuer.address, ...changes } });

  it.each([
    ['no issuer', { invoice: valid().invoice }, ['issuer']],
    ['an issuer without name and address', { issuer: {} }, ['issuer.address', 'issuer.name']],
    ['a blank name', withIssuer({ name: '  ' }), ['issuer.name']],
    ['a country name instead of its code', address({ country: 'United Kingdom' }), ['issuer.address.country']],
    ['UK instead of GB', address({ country: 'UK' }), ['issuer.address.country']],
    ['an address without city', address({ city: undefined }), ['issuer.address.city']],
    ['an unknown address field', address({ street: 'x' }), ['issuer.address.street']],
    ['a bad email', withIssuer({ email: 'billing-at-abaxus' }), ['issuer.email']],
    ['a logo that is not base64', withIssuer({ logo_png: 'not base64!' }), ['issuer.logo_png']],
    ['a JPEG logo', withIssuer({ logo_png: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1]).toString('base64') }), ['issuer.logo_png']],
    ['a PNG cut short', withIssuer({ logo_png: testLogoPng().subarray(0, 200).toString('base64') }), ['issuer.logo_png']],
    ['a PNG whose image data is not zlib', withIssuer({ logo_png: pngWithBrokenData() }), ['issuer.logo_png']],
    ['a logo over 200 KB', withIssuer({ logo_png: Buffer.alloc(205_000).toString('base64') }), ['issuer.logo_png']],
    ['payment terms below zero', withInvoice({ payment_terms_days: -1 }), ['invoice.payment_terms_days']],
    ['payment terms in part days', withInvoice({ payment_terms_days: 1.5 }), ['invoice.payment_terms_days']],
    ['payment terms as a string', withInvoice({ payment_terms_days: '30' }), ['invoice.payment_terms_days']],
    ['payment terms over a year', withInvoice({ payment_terms_days: 366 }), ['invoice.payment_terms_days']],
    ['a lower-case number prefix', withInvoice({ number_prefix: 'inv' }), ['invoice.number_prefix']],
    ['a number prefix with a dash', withInvoice({ number_prefix: 'INV-' }), ['invoice.number_prefix']],
    ['a footer over 1000 characters', withInvoice({ footer: 'x'.repeat(1001) }), ['invoice.footer']],
    ['an unknown top-level field', { ...valid(), locale: 'en-GB' }, ['locale']],
  ])('refuses %s with 400 naming the field, and keeps the settings', async (_case, body, fields) => {
    const before = expectStatus(await put(valid()), 200).body;
    const refused = await put(body);
    expect([refused.status, refused.body.code, refused.headers.get('content-type')]).toEqual([
      400,
      'validation_failed',
      expect.stringContaining('application/problem+json'),
    ]);
    expect(fieldsOf(refused.body)).toEqual(fields);
    expect(expectStatus(await sut.api('GET', '/v1/settings'), 200).body).toEqual(before);
  });

  it('says what is wrong with a logo', async () => {
    const messages = async (logoPng: string) => (await put(withIssuer({ logo_png: logoPng }))).body.errors.map((error: { message: string }) => error.message);
    expect(await messages(Buffer.alloc(205_000).toString('base64'))).toEqual(['logo_png is 205000 bytes; at most 204800 bytes (200 KB) are accepted']);
    expect(await messages(Buffer.from('GIF89a').toString('base64'))).toEqual(['logo_png is not a PNG image (no PNG signature)']);
    expect(await messages(pngWithBrokenData())).toEqual([expect.stringContaining('not a complete zlib stream')]);
    const huge = testLogoPng(2001, 1);
    expect(huge.length).toBeLessThan(10_000);
    expect(await messages(huge.toString('base64'))).toEqual(['logo_png is 2001×1 pixels; at most 2000×2000 is accepted']);
  });
});
