import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';

export class AcknowledgeAlertDto {
  /** Defaults to the token's subject. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, description: "Defaults to the token's subject" })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  by?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}
