import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { EventTypeListDto } from '../openapi/api-responses';
import { eventCatalogue } from './event-catalogue';

/** The catalogue is fixed per build: clients may keep it a few minutes (private: the route takes a bearer token). */
export const EVENT_TYPES_CACHE_CONTROL = 'private, max-age=300';

@ApiTags('event-types')
@Controller('v1/event-types')
export class EventTypesController {
  @Get()
  @RequireScope('webhooks:read')
  @Header('Cache-Control', EVENT_TYPES_CACHE_CONTROL)
  @ApiOkResponse({
    description: 'Every event type delivered to webhooks, with the JSON Schema of its body (also in the `webhooks` section of this document)',
    type: EventTypeListDto,
  })
  list(): EventTypeListDto {
    return { items: eventCatalogue() };
  }
}
