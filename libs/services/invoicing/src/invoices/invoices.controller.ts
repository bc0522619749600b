import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { EmptyBodyDto } from '@abaxus/platform/http/empty-body.dto';
import { InvoiceJson } from './invoice-json';
import { InvoicePage, InvoicesService } from './invoices.service';
import { IssueInvoiceDto } from './issue-invoice.dto';
import { ListInvoicesQuery } from './list-invoices.query';

@Controller('v1/invoices')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @Post()
  @HttpCode(201)
  issue(@Body() request: IssueInvoiceDto): Promise<InvoiceJson> {
    return this.invoices.issue(request);
  }

  @Get()
  list(@Query() query: ListInvoicesQuery): Promise<InvoicePage> {
    return this.invoices.list(query);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<InvoiceJson> {
    return this.invoices.get(id);
  }

  @Post(':id/archive')
  @HttpCode(200)
  archive(@Param('id') id: string, @Body() _body: EmptyBodyDto): Promise<InvoiceJson> {
    return this.invoices.archive(id);
  }

  @Post(':id/void')
  @HttpCode(200)
  void(@Param('id') id: string, @Body() _body: EmptyBodyDto): Promise<InvoiceJson> {
    return this.invoices.void(id);
  }
}
