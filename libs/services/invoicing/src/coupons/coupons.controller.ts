import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ListQueryDto } from '@abaxus/platform/http/listing/list-query.dto';
import { Page } from '@abaxus/platform/http/listing/page';
import { CreateCouponDto, CreateDiscountDto } from './coupon.dto';
import { CouponJson, CouponsService, DiscountJson } from './coupons.service';

@Controller('v1/coupons')
export class CouponsController {
  constructor(private readonly coupons: CouponsService) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: CreateCouponDto): Promise<CouponJson> {
    return this.coupons.create(body);
  }

  @Get()
  list(@Query() query: ListQueryDto): Promise<Page<CouponJson>> {
    return this.coupons.list(query);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<CouponJson> {
    return this.coupons.get(id);
  }
}

@Controller('v1/customers/:id/discounts')
export class CustomerDiscountsController {
  constructor(private readonly coupons: CouponsService) {}

  @Post()
  @HttpCode(201)
  attach(@Param('id') customerId: string, @Body() body: CreateDiscountDto): Promise<DiscountJson> {
    return this.coupons.attach(customerId, body);
  }
}
