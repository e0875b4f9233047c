// Django-form-style field validation for the tag, zone, pool and pod handlers: collect
// `{field: [messages]}` and answer them as one 400 (spec/maas-resources.md §5).
import { REQUIRED } from '../model/groups.ts';
import { StoreError } from '../store/index.ts';
import { validationError } from './errors.ts';
import type { Params } from './params.ts';

// Django's default messages, as MAAS's forms return them.
export { REQUIRED };
export const INVALID_CHOICE = 'Select a valid choice. That choice is not one of the available choices.';
export const invalidChoice = (value: string) => `Select a valid choice. ${value} is not one of the available choices.`;
export const atLeast = (min: number) => `Ensure this value is greater than or equal to ${min}.`;
export const atMost = (max: number) => `Ensure this value is less than or equal to ${max}.`;

export class FieldErrors {
  readonly #errors: Record<string, string[]> = {};

  add(field: string, ...messages: string[]): void {
    if (messages.length === 0) return;
    this.#errors[field] = [...(this.#errors[field] ?? []), ...messages];
  }

  has(field: string): boolean {
    return field in this.#errors;
  }

  /** @throws ApiError 400 `{field: [messages]}` when anything was added. */
  check(): void {
    if (Object.keys(this.#errors).length > 0) throw validationError(this.#errors);
  }

  /** A whole number (Django IntegerField), within bounds; undefined when absent or invalid. */
  int(params: Params, field: string, bounds: { min?: number; max?: number } = {}): number | undefined {
    const raw = params.get(field)?.trim();
    if (raw === undefined || raw === '') return undefined;
    if (!/^[+-]?\d+$/.test(raw)) {
      this.add(field, 'Enter a whole number.');
      return undefined;
    }
    return this.#bounded(field, Number(raw), bounds);
  }

  /** A number (Django FloatField), within bounds; undefined when absent or invalid. */
  float(params: Params, field: string, bounds: { min?: number; max?: number } = {}): number | undefined {
    const raw = params.get(field)?.trim();
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) || !Number.isFinite(value)) {
      this.add(field, 'Enter a number.');
      return undefined;
    }
    return this.#bounded(field, value, bounds);
  }

  #bounded(field: string, value: number, { min, max }: { min?: number; max?: number }): number | undefined {
    if (min !== undefined && value < min) this.add(field, atLeast(min));
    else if (max !== undefined && value > max) this.add(field, atMost(max));
    else return value;
    return undefined;
  }
}

/** A store's duplicate-name error as the form's `{name: [message]}`; anything else rethrown. */
export function duplicateAsFieldError(error: unknown, field = 'name'): never {
  if (error instanceof StoreError && error.code === 'ERR_STORE_DUPLICATE') {
    throw validationError({ [field]: [error.message] });
  }
  throw error;
}
