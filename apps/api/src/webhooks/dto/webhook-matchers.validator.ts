import { registerDecorator, type ValidationOptions } from 'class-validator';
import { matcherListProblem } from '@app/routing';

/** A list of Alertmanager matchers in either form; the message names the first bad one by index and says why. */
export function IsMatcherList(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) => {
    registerDecorator({
      name: 'isMatcherList',
      target: object.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => matcherListProblem(value) === undefined,
        defaultMessage: (args) => matcherListProblem(args?.value) ?? 'invalid matchers',
      },
    });
  };
}
