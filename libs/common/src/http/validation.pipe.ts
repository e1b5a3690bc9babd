import { BadRequestException, ValidationPipe } from '@nestjs/common';

/** DTO validation whose first failed rule becomes the whole answer: `{"error":"url is required"}`. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => {
      const first = errors[0];
      const message = first?.constraints ? Object.values(first.constraints)[0] : undefined;
      return new BadRequestException({ error: message ?? 'Invalid request' });
    },
  });
}
