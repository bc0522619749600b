import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ListQueryDto } from '@abaxus/platform/http/listing/list-query.dto';
import { Page } from '@abaxus/platform/http/listing/page';
import { AdvanceTestClockDto, CreateTestClockDto } from './test-clock.dto';
import { TestClockJson, TestClocksService } from './test-clocks.service';

@Controller('v1/test-clocks')
export class TestClocksController {
  constructor(private readonly clocks: TestClocksService) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: CreateTestClockDto): Promise<TestClockJson> {
    return this.clocks.create(body);
  }

  @Get()
  list(@Query() query: ListQueryDto): Promise<Page<TestClockJson>> {
    return this.clocks.list(query);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<TestClockJson> {
    return this.clocks.get(id);
  }

  @Post(':id/advance')
  @HttpCode(200)
  advance(@Param('id') id: string, @Body() body: AdvanceTestClockDto): Promise<TestClockJson> {
    return this.clocks.advance(id, body);
  }
}
