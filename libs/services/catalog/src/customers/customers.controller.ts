import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CustomerRecord } from '@abaxus/contracts/catalog-events';
import { ListQueryDto } from '@abaxus/platform/http/listing/list-query.dto';
import { Page } from '@abaxus/platform/http/listing/page';
import { CreateCustomerDto, UpdateCustomerDto } from './customer.dto';
import { CustomersService } from './customers.service';

@Controller('v1/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: CreateCustomerDto): Promise<CustomerRecord> {
    return this.customers.create(body);
  }

  @Get()
  list(@Query() query: ListQueryDto): Promise<Page<CustomerRecord>> {
    return this.customers.list(query);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<CustomerRecord> {
    return this.customers.get(id);
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body() body: UpdateCustomerDto): Promise<CustomerRecord> {
    return this.customers.update(id, body);
  }
}
