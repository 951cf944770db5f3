import {
  Body,
  Controller,
  Delete,
  Get,
  NotFoundException,
  Param,
  Post,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors, FaultRule, FaultRules } from '@app/saga-core';
import { CreateFaultRuleDto } from './create-fault-rule.dto';
import { FaultRuleViewDto } from './fault-rule-view.dto';
import { FaultsRemovedDto } from './faults-removed.dto';
import { FaultInjectionGuard } from './fault-injection.guard';

/** Its own pipe, so an app without a global one still answers bad input with a 400. */
const validation = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
});

const OFF = 'Fault injection is off (production, unless FAULTS_ENABLED=true)';

/** `POST/GET/DELETE /faults`: this app's runtime fault rules, kept in memory. */
@ApiTags('faults')
@ApiErrors({ 403: OFF })
@Controller('faults')
@UseGuards(FaultInjectionGuard)
export class FaultsController {
  constructor(private readonly rules: FaultRules) {}

  @Post()
  @ApiOperation({
    operationId: 'addFaultRule',
    summary: 'Add a runtime fault rule',
    description: 'It applies at once to every command or event of this process that it matches',
  })
  @ApiCreatedResponse({ description: 'The rule, as stored', type: FaultRuleViewDto })
  @ApiErrors({ 400: 'A malformed rule, each problem listed; nothing stored', 403: OFF })
  add(@Body(validation) body: CreateFaultRuleDto): FaultRule {
    return this.rules.add(body);
  }

  @Get()
  @ApiOperation({
    operationId: 'listFaultRules',
    summary: 'The runtime fault rules',
    description: 'In the order they are tried, with their hits and remaining firings',
  })
  @ApiOkResponse({ description: 'The rules', type: [FaultRuleViewDto] })
  list(): FaultRule[] {
    return this.rules.list();
  }

  @Delete()
  @ApiOperation({
    operationId: 'clearFaultRules',
    summary: 'Remove every runtime fault rule',
    description: 'Of this process only',
  })
  @ApiOkResponse({ description: 'How many were removed', type: FaultsRemovedDto })
  clear(): { removed: number } {
    return { removed: this.rules.clear() };
  }

  @Delete(':id')
  @ApiOperation({
    operationId: 'removeFaultRule',
    summary: 'Remove one runtime fault rule',
    description: 'By its id',
  })
  @ApiParam({ name: 'id', description: 'The rule id', example: 'rule-1' })
  @ApiOkResponse({ description: 'Removed', type: FaultsRemovedDto })
  @ApiErrors({ 403: OFF, 404: 'No rule with this id' })
  remove(@Param('id') id: string): { removed: number } {
    if (!this.rules.remove(id)) throw new NotFoundException(`No fault rule ${id}`);
    return { removed: 1 };
  }
}
