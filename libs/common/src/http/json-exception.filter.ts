// Turns every error, including body-parser and routing errors, into a JSON body without internals.
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { trace, SpanStatusCode } from '@opentelemetry/api';
import type { Response } from 'express';

interface ParserError {
  type?: string;
  status?: number;
  statusCode?: number;
}

const PARSER_ERRORS: Record<string, [number, string]> = {
  'entity.parse.failed': [HttpStatus.BAD_REQUEST, 'Malformed JSON body'],
  'entity.too.large': [HttpStatus.PAYLOAD_TOO_LARGE, 'Request body too large'],
  'encoding.unsupported': [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Unsupported body encoding'],
  'charset.unsupported': [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Unsupported body charset'],
  'request.aborted': [HttpStatus.BAD_REQUEST, 'Request aborted'],
  'request.size.invalid': [HttpStatus.BAD_REQUEST, 'Request size did not match Content-Length'],
};

export function errorBody(status: number, exception: unknown): { error: string } {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    if (typeof response === 'object' && response !== null && typeof (response as { error?: unknown }).error === 'string') {
      const custom = response as { error: string; message?: unknown };
      // Nest's built-in exceptions put the reason phrase in `error` and the detail in `message`.
      if (custom.message === undefined) return { error: custom.error };
    }
    if (status === HttpStatus.NOT_FOUND) return { error: 'Not found' };
    if (status === HttpStatus.METHOD_NOT_ALLOWED) return { error: 'Method not allowed' };
    return { error: typeof response === 'string' ? response : exception.message };
  }
  return { error: 'Internal server error' };
}

@Catch()
export class JsonExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const parser = (exception ?? {}) as ParserError;
    let status: number;
    let body: { error: string };
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      body = errorBody(status, exception);
    } else if (parser.type && PARSER_ERRORS[parser.type]) {
      [status, body] = [PARSER_ERRORS[parser.type]![0], { error: PARSER_ERRORS[parser.type]![1] }];
    } else if ((parser.status ?? parser.statusCode ?? 500) < 500) {
      status = parser.status ?? parser.statusCode ?? HttpStatus.BAD_REQUEST;
      body = { error: 'Bad request' };
    } else {
      status = HttpStatus.INTERNAL_SERVER_ERROR;
      body = { error: 'Internal server error' };
    }
    if (status >= 500) {
      const span = trace.getActiveSpan();
      if (exception instanceof Error) span?.recordException(exception);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: body.error });
      this.logger.error(exception instanceof Error ? exception : String(exception));
    }
    if (res.headersSent) return;
    res.status(status).json(body);
  }
}
