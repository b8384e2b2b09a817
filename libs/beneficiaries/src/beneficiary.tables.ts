import { col, nullable, Row, table } from '@xinyuan/common';
import type { AgeBand, BeneficiaryTag } from './beneficiary-policy';

/**
 * 一人一档: a person the platform serves who may not have an account. Identity number, phone and
 * guardian are PiiCipher ciphertexts; `region_id` is the region of `location`.
 */
export const BENEFICIARIES = table('beneficiaries', {
  id: col.uuid(),
  created_by: col.uuid(),
  region_id: nullable(col.uuid()),
  name: col.text(),
  age_band: col.text<AgeBand>(),
  address: col.text(),
  location: col.geography(),
  tags: col.textArray<BeneficiaryTag>(),
  id_number_enc: nullable(col.text()),
  phone_enc: nullable(col.text()),
  guardian_enc: nullable(col.text()),
  version: col.int(),
  created_at: col.timestamptz(),
  updated_at: col.timestamptz(),
  archived_at: nullable(col.timestamptz()),
});
export type BeneficiaryRow = Row<typeof BENEFICIARIES>;
