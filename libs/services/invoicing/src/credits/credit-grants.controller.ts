import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { EmptyBodyDto } from '@abaxus/platform/http/empty-body.dto';
import { CreateCreditGrantDto } from './credit-grant.dto';
import { CreditBalanceJson, CreditGrantJson, CreditGrantsService } from './credit-grants.service';

@Controller('v1/customers/:id')
export class CreditGrantsController {
  constructor(private readonly credits: CreditGrantsService) {}

  @Post('credit-grants')
  @HttpCode(201)
  create(@Param('id') customerId: string, @Body() body: CreateCreditGrantDto): Promise<CreditGrantJson> {
    return this.credits.create(customerId, body);
  }

  @Get('credit-balance')
  balance(@Param('id') customerId: string): Promise<CreditBalanceJson> {
    return this.credits.balance(customerId);
  }

  @Post('credit-grants/:grantId/void')
  @HttpCode(200)
  void(@Param('id') customerId: string, @Param('grantId') grantId: string, @Body() _body: EmptyBodyDto): Promise<CreditGrantJson> {
    return this.credits.void(customerId, grantId);
  }
}
