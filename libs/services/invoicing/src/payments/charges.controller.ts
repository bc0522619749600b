import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { EmptyBodyDto } from '@abaxus/platform/http/empty-body.dto';
import { ChargesService } from './charges.service';

@Controller('v1/invoices')
export class ChargesController {
  constructor(private readonly charges: ChargesService) {}

  /** 200 paid; 202 while the payment is processing; errors as problem+json (402, 409, 422, 502, 503). */
  @Post(':id/charge')
  async charge(@Param('id') id: string, @Body() _body: EmptyBodyDto, @Res() res: Response): Promise<void> {
    const result = await this.charges.charge(id);
    res.status(result.status === 'paid' ? 200 : 202).json(result);
  }
}
