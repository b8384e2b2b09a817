import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type Lookup = (target: Function, schema: string, always: boolean, strictGroups: boolean, groups?: string[]) => ValidationMetadata[];
type Storage = {
  getTargetValidationMetadatas: Lookup;
  addValidationMetadata(metadata: ValidationMetadata): void;
};

const MEMOIZED = Symbol.for('xinyuan.validationMetadataMemo');

/**
 * class-validator looks up the rules of a class on every validation by filtering every class it knows
 * (a `prototype instanceof` test per decorated class of the app, a few hundred) — about 2 % of the api's
 * CPU per order (issue 17). The answer only changes when rules are added (decorators run as classes
 * are defined), so it is remembered per class and options, and forgotten whenever a rule is added.
 * The same arrays are handed out again; class-validator only reads them.
 */
export function memoizeValidationMetadata(storage: Storage = getMetadataStorage() as unknown as Storage): void {
  const marked = storage as unknown as Record<symbol, boolean>;
  if (marked[MEMOIZED]) return;
  marked[MEMOIZED] = true;
  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let memo = new Map<Function, Map<string, ValidationMetadata[]>>();
  storage.addValidationMetadata = (metadata) => {
    memo = new Map();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${always}|${strictGroups}|${groups ? JSON.stringify(groups) : ''}|${schema}`;
    let byKey = memo.get(target);
    if (!byKey) memo.set(target, (byKey = new Map()));
    let found = byKey.get(key);
    if (!found) byKey.set(key, (found = lookup(target, schema, always, strictGroups, groups)));
    return found;
  };
}
