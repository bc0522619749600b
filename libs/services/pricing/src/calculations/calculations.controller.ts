import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CalculateBatchDto, CalculatePricingDto } from './calculate-pricing.dto';
import { CalculationBatchAnswer, CalculationPreview, CalculationsService } from './calculations.service';

@Controller('v1/pricing')
export class CalculationsController {
  constructor(private readonly calculations: CalculationsService) {}

  /** 201: the calculation is a stored resource, readable by its id afterwards. */
  @Post('calculate')
  async calculate(@Body() request: CalculatePricingDto, @Res() res: Response): Promise<void> {
    const stored = await this.calculations.calculate(request);
    res.status(201).type('application/json').send(stored.body);
  }

  /** The stored text itself, so the answer is the same bytes as the first one. */
  @Get('calculations/:id')
  async find(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const stored = await this.calculations.find(id);
    res.status(200).type('application/json').send(stored.body);
  }
}

/**
 * Internal: the price of a subscription's usage so far, not stored (the notifications service
 * watches amount thresholds with it). Not under /v1, so the gateway never routes to it.
 */
@Controller('internal/v1/pricing')
export class PricingPreviewController {
  constructor(private readonly calculations: CalculationsService) {}

  @Post('preview')
  @HttpCode(200)
  preview(@Body() request: CalculatePricingDto): Promise<CalculationPreview> {
    return this.calculations.preview(request);
  }

  /**
   * Many calculations at once (invoicing's billing run prices a claimed batch of customers with
   * it): each priced and stored as by POST /v1/pricing/calculate, or refused on its own with the
   * problem that route would answer; in order.
   */
  @Post('calculate-batch')
  @HttpCode(200)
  calculateBatch(@Body() request: CalculateBatchDto): Promise<CalculationBatchAnswer> {
    return this.calculations.calculateMany(request.calculations);
  }
}
