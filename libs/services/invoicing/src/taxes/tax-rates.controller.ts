import { Body, Controller, Get, HttpCode, Injectable, Param, Post, Query } from '@nestjs/common';
import Big from 'big.js';
import { checkTaxPercentage } from '@abaxus/domain/adjustments/adjustment-validation';
import { formatDecimal } from '@abaxus/domain/money/decimal';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ListQueryDto, listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { Clock } from '@abaxus/platform/time/clock';
import { CreateTaxRateDto } from './tax-rate.dto';
import { TaxRateRow, TaxRatesRepository } from './tax-rates.repository';

export interface TaxRateJson {
  id: string;
  display_name: string;
  percentage: string;
  inclusive: boolean;
  jurisdiction: string | null;
  created_at: string;
}

const toJson = (row: TaxRateRow): TaxRateJson => ({
  id: row.id,
  display_name: row.display_name,
  percentage: formatDecimal(new Big(row.percentage)),
  inclusive: row.inclusive,
  jurisdiction: row.jurisdiction,
  created_at: row.created_at.toISOString(),
});

@Injectable()
export class TaxRatesService {
  constructor(
    private readonly rates: TaxRatesRepository,
    private readonly clock: Clock,
  ) {}

  async create(body: CreateTaxRateDto): Promise<TaxRateJson> {
    const percentage = checkTaxPercentage(body.percentage);
    if (!percentage.ok) throw ProblemException.validation(percentage.issues);
    return toJson(
      await this.rates.insert({
        id: body.id,
        display_name: body.display_name,
        percentage: percentage.value.toFixed(),
        inclusive: body.inclusive,
        jurisdiction: body.jurisdiction ?? null,
        created_at: this.clock.now(),
      }),
    );
  }

  async get(id: string): Promise<TaxRateJson> {
    const [row] = await this.rates.find([id]);
    if (!row) throw ProblemException.notFound('Tax rate', id);
    return toJson(row);
  }

  async list(query: ListQueryDto): Promise<Page<TaxRateJson>> {
    const limit = listLimit(query);
    let beforeSeq: string | undefined;
    if (query.starting_after !== undefined) {
      beforeSeq = (await this.rates.find([query.starting_after]))[0]?.seq;
      if (beforeSeq === undefined) throw unknownCursor(query.starting_after);
    }
    const page = toPage(await this.rates.list(limit, beforeSeq), limit, (row) => row.id);
    return { ...page, data: page.data.map(toJson) };
  }
}

@Controller('v1/tax-rates')
export class TaxRatesController {
  constructor(private readonly rates: TaxRatesService) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: CreateTaxRateDto): Promise<TaxRateJson> {
    return this.rates.create(body);
  }

  @Get()
  list(@Query() query: ListQueryDto): Promise<Page<TaxRateJson>> {
    return this.rates.list(query);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<TaxRateJson> {
    return this.rates.get(id);
  }
}
