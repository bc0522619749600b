import { Body, Controller, Get, Put } from '@nestjs/common';
import { SettingsJson } from './document-settings';
import { PutSettingsDto } from './settings.dto';
import { SettingsService } from './settings.service';

@Controller('v1/settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  get(): Promise<SettingsJson> {
    return this.settings.get();
  }

  /** 200 with the settings as stored; 400 naming each invalid field. */
  @Put()
  replace(@Body() body: PutSettingsDto): Promise<SettingsJson> {
    return this.settings.replace(body);
  }
}
