import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CustomerRecord } from '@abaxus/contracts/catalog-events';

interface CustomerRow {
  id: string;
  name: string | null;
  email: string | null;
  billing: CustomerRecord['billing'];
  payment_method: CustomerRecord['payment_method'];
  address: CustomerRecord['address'];
  tax_id: string | null;
  tax_rate_ids: string[];
  created_at: Date;
  updated_at: Date;
}

export type CustomerFields = Omit<CustomerRecord, 'id' | 'created_at' | 'updated_at'>;

const COLUMNS = 'id, name, email, billing, payment_method, address, tax_id, tax_rate_ids, created_at, updated_at';

function toRecord(row: CustomerRow): CustomerRecord {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    billing: row.billing,
    payment_method: row.payment_method,
    address: row.address,
    tax_id: row.tax_id,
    tax_rate_ids: row.tax_rate_ids,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function json(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

@Injectable()
export class CustomersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Undefined when the id is taken; of two concurrent creates exactly one inserts. */
  async insert(manager: EntityManager, id: string, fields: CustomerFields): Promise<CustomerRecord | undefined> {
    const rows = (await manager.query(
      `INSERT INTO catalog.customers (id, name, email, billing, payment_method, address, tax_id, tax_rate_ids)
       VALUES ($1, $2, $3, $4::json, $5::json, $6::json, $7, $8::text[])
       ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
      [id, fields.name, fields.email, json(fields.billing), json(fields.payment_method), json(fields.address), fields.tax_id, fields.tax_rate_ids ?? []],
    )) as CustomerRow[];
    return rows[0] && toRecord(rows[0]);
  }

  /** Locks the row until commit, so concurrent changes of one customer apply (and publish) in order. */
  async findForUpdate(manager: EntityManager, id: string): Promise<CustomerRecord | undefined> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM catalog.customers WHERE id = $1 FOR UPDATE`, [id])) as CustomerRow[];
    return rows[0] && toRecord(rows[0]);
  }

  async update(manager: EntityManager, id: string, fields: CustomerFields): Promise<CustomerRecord> {
    const rows = (await manager.query(
      // In a CTE: TypeORM answers a bare UPDATE with [rows, count] instead of the rows.
      `WITH updated AS (
         UPDATE catalog.customers SET name = $2, email = $3, billing = $4::json, payment_method = $5::json, address = $6::json, tax_id = $7, tax_rate_ids = $8::text[],
           updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}
       ) SELECT * FROM updated`,
      [id, fields.name, fields.email, json(fields.billing), json(fields.payment_method), json(fields.address), fields.tax_id, fields.tax_rate_ids ?? []],
    )) as CustomerRow[];
    return toRecord(rows[0]);
  }

  /** The customers of these ids that exist, in no particular order. */
  async findMany(ids: readonly string[]): Promise<CustomerRecord[]> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM catalog.customers WHERE id = ANY($1::text[])`, [ids])) as CustomerRow[];
    return rows.map(toRecord);
  }

  async find(id: string): Promise<CustomerRecord | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM catalog.customers WHERE id = $1`, [id])) as CustomerRow[];
    return rows[0] && toRecord(rows[0]);
  }

  /** Newest first; undefined when the cursor names no customer. */
  async list(limit: number, startingAfter: string | undefined): Promise<CustomerRecord[] | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM catalog.customers
       WHERE $2::text IS NULL OR seq < (SELECT seq FROM catalog.customers WHERE id = $2)
       ORDER BY seq DESC LIMIT $1`,
      [limit, startingAfter ?? null],
    )) as CustomerRow[];
    if (startingAfter !== undefined && rows.length === 0 && !(await this.find(startingAfter))) return undefined;
    return rows.map(toRecord);
  }
}
