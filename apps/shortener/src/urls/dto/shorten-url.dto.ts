import { ApiProperty } from '@nestjs/swagger';
import { registerDecorator, type ValidationArguments } from 'class-validator';
import { checkTargetUrl, MAX_URL_LENGTH } from '../target-url';

function IsShortenableUrl(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isShortenableUrl',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => checkTargetUrl(value).ok,
        defaultMessage: (args?: ValidationArguments) => {
          const check = checkTargetUrl(args?.value);
          return check.ok ? '' : check.error;
        },
      },
    });
}

export class ShortenUrlDto {
  @ApiProperty({ example: 'https://opentelemetry.io/docs/', maxLength: MAX_URL_LENGTH, description: 'An http or https URL' })
  @IsShortenableUrl()
  url!: string;
}
