import { createHash } from 'node:crypto';
// the pure files themselves (not the package indexes, which load NestJS), so unit tests can import this one
import {
  AGE_BANDS, AgeBand, BENEFICIARY_TAGS, BENEFICIARY_TAG_CODES, BeneficiaryTag, CONTACT_PHONE_PATTERN, ID_NUMBER_PATTERN,
} from '@xinyuan/beneficiaries/beneficiary-policy';

import { ColumnIndex, mapColumns, RowProblem } from './import-columns';

export interface BeneficiaryRowValue {
  name: string;
  ageBand: AgeBand;
  address: string;
  lat: number;
  lng: number;
  tags: BeneficiaryTag[];
  idNumber: string | null;
  phone: string | null;
  guardian: { name: string; phone: string; relation: string | null } | null;
}

/** The template's columns: the Chinese header people see, what else is accepted, required or not. */
export const BENEFICIARY_COLUMNS = [
  { key: 'name', header: '姓名', aliases: ['name'], required: true, example: '示例张某' },
  { key: 'ageBand', header: '年龄段', aliases: ['ageBand', 'age_band'], required: true, example: '80岁及以上' },
  { key: 'address', header: '地址', aliases: ['address'], required: true, example: '示例街道示例村 1 号' },
  { key: 'lat', header: '纬度', aliases: ['lat', 'latitude'], required: true, example: '30.63' },
  { key: 'lng', header: '经度', aliases: ['lng', 'long', 'longitude'], required: true, example: '119.68' },
  { key: 'tags', header: '类别', aliases: ['tags'], required: false, example: '独居老人、低保' },
  { key: 'idNumber', header: '身份证号', aliases: ['idNumber', 'id_number'], required: false, example: '110101190001011234' },
  { key: 'phone', header: '联系电话', aliases: ['phone'], required: false, example: '0000-0000000' },
  { key: 'guardianName', header: '监护人姓名', aliases: ['guardianName'], required: false, example: '示例李某' },
  { key: 'guardianPhone', header: '监护人电话', aliases: ['guardianPhone'], required: false, example: '13700000000' },
  { key: 'guardianRelation', header: '监护人关系', aliases: ['guardianRelation'], required: false, example: '儿子' },
] as const;
export type BeneficiaryColumnKey = (typeof BENEFICIARY_COLUMNS)[number]['key'];

const AGE_BAND_WORDS: Record<string, AgeBand> = {
  '18岁以下': 'under_18', '未成年': 'under_18', '18-59岁': '18_59', '18-59': '18_59', '60-69岁': '60_69', '60-69': '60_69',
  '70-79岁': '70_79', '70-79': '70_79', '80岁及以上': '80_plus', '80岁以上': '80_plus', '80+': '80_plus',
};
const TAG_WORDS: Record<string, BeneficiaryTag> = Object.fromEntries(
  Object.entries(BENEFICIARY_TAGS).flatMap(([code, label]) => [[label, code], [code, code]]),
) as Record<string, BeneficiaryTag>;

/** Which column of the file holds each field; the required ones that are missing. */
export function mapHeaders(headers: string[]): { index: ColumnIndex; missing: string[] } {
  return mapColumns(BENEFICIARY_COLUMNS, headers);
}

const normalisePhone = (v: string) => v.replace(/[\s()]/g, '').replace(/^\+?86(?=1)/, '');

/** One data row: its value, or every problem with it (column by its Chinese header, message in Chinese). */
export function readBeneficiaryRow(row: number, cells: string[], index: ColumnIndex): { value?: BeneficiaryRowValue; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const cell = (key: BeneficiaryColumnKey) => (index[key] === undefined ? '' : (cells[index[key]!] ?? '').trim());
  const header = (key: BeneficiaryColumnKey) => BENEFICIARY_COLUMNS.find((c) => c.key === key)!.header;
  const bad = (key: BeneficiaryColumnKey, message: string) => problems.push({ row, column: header(key), message });

  const name = cell('name');
  if (!name) bad('name', '姓名不能为空');
  else if (name.length > 50) bad('name', '姓名不能超过 50 个字');
  const ageRaw = cell('ageBand');
  const ageBand = (AGE_BANDS as readonly string[]).includes(ageRaw) ? (ageRaw as AgeBand) : AGE_BAND_WORDS[ageRaw.replace(/\s/g, '')];
  if (!ageRaw) bad('ageBand', '年龄段不能为空');
  else if (!ageBand) bad('ageBand', '年龄段应为：18岁以下、18-59岁、60-69岁、70-79岁、80岁及以上');
  const address = cell('address');
  if (!address) bad('address', '地址不能为空');
  else if (address.length > 300) bad('address', '地址不能超过 300 个字');
  const lat = Number(cell('lat'));
  const lng = Number(cell('lng'));
  if (!cell('lat') || !Number.isFinite(lat) || lat < -90 || lat > 90) bad('lat', '纬度应为 -90 到 90 之间的数字');
  if (!cell('lng') || !Number.isFinite(lng) || lng < -180 || lng > 180) bad('lng', '经度应为 -180 到 180 之间的数字');
  const tags: BeneficiaryTag[] = [];
  for (const word of cell('tags').split(/[,，、;；\s]+/).filter(Boolean)) {
    const tag = TAG_WORDS[word];
    if (!tag) bad('tags', `没有「${word}」这个类别；可填：${Object.values(BENEFICIARY_TAGS).join('、')}`);
    else if (!tags.includes(tag)) tags.push(tag);
  }
  const idNumber = cell('idNumber').toUpperCase() || null;
  if (idNumber && !ID_NUMBER_PATTERN.test(idNumber)) bad('idNumber', '身份证号应为 18 位（最后一位可为 X）或旧版 15 位数字');
  const phone = cell('phone') ? normalisePhone(cell('phone')) : null;
  if (phone && !CONTACT_PHONE_PATTERN.test(phone)) bad('phone', '联系电话应为 11 位手机号或带区号的座机号');
  const gName = cell('guardianName');
  const gPhone = cell('guardianPhone') ? normalisePhone(cell('guardianPhone')) : '';
  const gRelation = cell('guardianRelation');
  if ((gName || gRelation) && !gPhone) bad('guardianPhone', '填写了监护人，请同时填写监护人电话');
  if (gPhone && !CONTACT_PHONE_PATTERN.test(gPhone)) bad('guardianPhone', '监护人电话应为 11 位手机号或带区号的座机号');
  if (gPhone && !gName) bad('guardianName', '填写了监护人电话，请同时填写监护人姓名');
  if (gName.length > 50) bad('guardianName', '监护人姓名不能超过 50 个字');
  if (gRelation.length > 20) bad('guardianRelation', '监护人关系不能超过 20 个字');
  if (problems.length) return { problems };
  return {
    problems,
    value: {
      name, ageBand: ageBand!, address, lat, lng, tags, idNumber, phone,
      guardian: gName && gPhone ? { name: gName, phone: gPhone, relation: gRelation || null } : null,
    },
  };
}

/** What identifies the person across imports: the identity number, else name and address. */
export function naturalKey(v: BeneficiaryRowValue): string {
  return v.idNumber ? `id:${v.idNumber}` : `na:${v.name}|${v.address}`;
}

/** A digest of everything the row sets: equal digests mean re-importing it changes nothing. */
export function rowDigest(v: BeneficiaryRowValue): string {
  return createHash('sha256').update(JSON.stringify([v.name, v.ageBand, v.address, v.lat, v.lng, [...v.tags].sort(), v.idNumber, v.phone, v.guardian])).digest('base64url');
}

export { BENEFICIARY_TAG_CODES };
