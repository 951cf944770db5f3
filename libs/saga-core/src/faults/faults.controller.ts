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
import { CreateFaultRuleDto } from './create-fault-rule.dto';
import { FaultInjectionGuard } from './fault-injection.guard';
import { FaultRule } from './fault-rule';
import { FaultRules } from './fault-rules';

/** Its own pipe, so an app without a global one still answers bad input with a 400. */
const validation = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
});

/** `POST/GET/DELETE /faults`: this app's runtime fault rules, kept in memory. */
@Controller('faults')
@UseGuards(FaultInjectionGuard)
export class FaultsController {
  constructor(private readonly rules: FaultRules) {}

  @Post()
  add(@Body(validation) body: CreateFaultRuleDto): FaultRule {
    return this.rules.add(body);
  }

  @Get()
  list(): FaultRule[] {
    return this.rules.list();
  }

  @Delete()
  clear(): { removed: number } {
    return { removed: this.rules.clear() };
  }

  @Delete(':id')
  remove(@Param('id') id: string): { removed: number } {
    if (!this.rules.remove(id)) throw new NotFoundException(`No fault rule ${id}`);
    return { removed: 1 };
  }
}
