// the pure file itself (not the package index, which loads NestJS), so unit tests can import this one
import { maskIdNumber, maskPhone } from '../../common/src/pii';
import { isOfficial } from '../../identity/src/roles';

/**
 * Beneficiary profiles (一人一档): the person a service is for — an elder living alone, a
 * left-behind child, a person with a disability. Pure rules and projections, unit-tested directly.
 */

/** The fixed vocabulary of tags, with the words people use. Official classifications: set by grid workers and staff only. */
export const BENEFICIARY_TAGS = {
  living_alone: '独居老人',
  empty_nest: '空巢老人',
  left_behind_child: '留守儿童',
  vulnerable_child: '困境儿童',
  disability: '残疾',
  low_income: '低保',
  extreme_poverty: '特困',
  veteran: '优抚对象',
} as const;
export type BeneficiaryTag = keyof typeof BENEFICIARY_TAGS;
export const BENEFICIARY_TAG_CODES = Object.keys(BENEFICIARY_TAGS) as BeneficiaryTag[];

export const AGE_BANDS = ['under_18', '18_59', '60_69', '70_79', '80_plus'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** 18-character resident identity number (last character a digit or X), or the old 15-digit form. */
export const ID_NUMBER_PATTERN = /^(\d{17}[\dXx]|\d{15})$/;
/** Mobile, or a landline with area code (many elders have only a landline). */
export const CONTACT_PHONE_PATTERN = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;

/**
 * What a caller may do with a profile:
 * - `official`: staff whose jurisdiction covers the profile's region, or the grid worker of its grid:
 *   everything, tags and identity number included;
 * - `owner`: the account that recorded it (a resident for themself or family): the profile without
 *   tags and identity number (which they may still write);
 * - `none`: reported as not found.
 */
export type BeneficiaryAccess = 'official' | 'owner' | 'none';

/**
 * The profile's own account: the resident (or family member) who made it. A profile an official made
 * or imported is not theirs to keep: they reach it through their jurisdiction, and lose it with it.
 */
export function ownsProfile(user: { id: string; roles: readonly string[] }, createdBy: string | null | undefined): boolean {
  return !!createdBy && createdBy === user.id && !isOfficial(user.roles);
}

export function beneficiaryAccess(isOwner: boolean, isOfficial: boolean): BeneficiaryAccess {
  if (isOfficial) return 'official';
  return isOwner ? 'owner' : 'none';
}

export interface Guardian {
  name: string;
  phone: string;
  relation?: string | null;
}

/** A profile with its personal data decrypted (in memory only). */
export interface BeneficiaryRecord {
  id: string;
  createdBy: string;
  regionId: string | null;
  area: string | null;
  name: string;
  ageBand: AgeBand;
  address: string;
  location: { lat: number; lng: number };
  tags: BeneficiaryTag[];
  idNumber: string | null;
  phone: string | null;
  guardian: Guardian | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface BeneficiaryView {
  id: string;
  name: string;
  ageBand: AgeBand;
  address: string;
  location: { lat: number; lng: number };
  regionId: string | null;
  area: string | null;
  phone: string | null;
  guardian: Guardian | null;
  /** Official access only. */
  tags?: BeneficiaryTag[];
  idNumber?: string | null;
  /** For the owner, who may not read it back: whether one is on file. */
  idNumberOnFile?: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface BeneficiaryListItem {
  id: string;
  name: string;
  ageBand: AgeBand;
  regionId: string | null;
  area: string | null;
  /** Masked: 138****1234. */
  phone: string | null;
  tags?: BeneficiaryTag[];
  /** Masked: 330523********1234; official access only. */
  idNumber?: string | null;
  createdAt: string;
}

export function toBeneficiaryView(b: BeneficiaryRecord, access: Exclude<BeneficiaryAccess, 'none'>): BeneficiaryView {
  const view: BeneficiaryView = {
    id: b.id,
    name: b.name,
    ageBand: b.ageBand,
    address: b.address,
    location: b.location,
    regionId: b.regionId,
    area: b.area,
    phone: b.phone,
    guardian: b.guardian,
    version: b.version,
    createdAt: new Date(b.createdAt).toISOString(),
    updatedAt: new Date(b.updatedAt).toISOString(),
  };
  if (access === 'official') {
    view.tags = b.tags;
    view.idNumber = b.idNumber;
  } else {
    view.idNumberOnFile = b.idNumber !== null;
  }
  return view;
}

export function toBeneficiaryListItem(b: BeneficiaryRecord, access: Exclude<BeneficiaryAccess, 'none'>): BeneficiaryListItem {
  const item: BeneficiaryListItem = {
    id: b.id,
    name: b.name,
    ageBand: b.ageBand,
    regionId: b.regionId,
    area: b.area,
    phone: maskPhone(b.phone),
    createdAt: new Date(b.createdAt).toISOString(),
  };
  if (access === 'official') {
    item.tags = b.tags;
    item.idNumber = maskIdNumber(b.idNumber);
  }
  return item;
}
