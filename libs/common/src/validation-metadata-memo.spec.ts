import { IsInt, IsString, Length, registerDecorator, validateSync, ValidateNested } from 'class-validator';
import { memoizeValidationMetadata } from './validation-metadata-memo';

const fields = (o: object) => validateSync(o, { whitelist: true, forbidNonWhitelisted: true }).map((e) => `${e.property}:${Object.keys(e.constraints ?? {}).join(',')}${e.children?.length ? `>${fields2(e.children)}` : ''}`);
const fields2 = (errors: ReturnType<typeof validateSync>): string => errors.map((e) => `${e.property}:${Object.keys(e.constraints ?? {}).join(',')}`).join(';');

describe('memoizeValidationMetadata', () => {
  beforeAll(() => memoizeValidationMetadata());

  it('answers as class-validator does, for a class, its subclass, nested objects and unknown fields', () => {
    class Point {
      @IsInt() x!: number;
    }
    class Base {
      @IsString() @Length(1, 3) name!: string;
    }
    class Child extends Base {
      @IsInt() n!: number;
      @ValidateNested() p!: Point;
    }
    for (let round = 0; round < 2; round++) {
      expect(fields(Object.assign(new Base(), { name: 'abcd' }))).toEqual(['name:isLength']);
      expect(fields(Object.assign(new Child(), { name: 'ab', n: 'x', p: Object.assign(new Point(), { x: 1.5 }) }))).toEqual(['n:isInt', 'p:>x:isInt']);
      expect(fields(Object.assign(new Base(), { name: 'ab', extra: 1 }))).toEqual(['extra:whitelistValidation']);
    }
  });

  it('forgets what it remembered when a rule is added later', () => {
    class Late {
      @IsString() s!: string;
    }
    expect(fields(Object.assign(new Late(), { s: 'no digits' }))).toEqual([]);
    registerDecorator({
      name: 'hasDigit', target: Late, propertyName: 's',
      validator: { validate: (v: unknown) => typeof v === 'string' && /\d/.test(v) },
    });
    expect(fields(Object.assign(new Late(), { s: 'no digits' }))).toEqual(['s:hasDigit']);
  });
});
