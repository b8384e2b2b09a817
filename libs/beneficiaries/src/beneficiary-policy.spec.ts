import {
  BeneficiaryRecord, beneficiaryAccess, BENEFICIARY_TAG_CODES, CONTACT_PHONE_PATTERN, ID_NUMBER_PATTERN, toBeneficiaryListItem,
  toBeneficiaryView,
} from './beneficiary-policy';

const record: BeneficiaryRecord = {
  id: 'b1',
  createdBy: 'u1',
  regionId: 'v',
  area: '古城村',
  name: '王桂英',
  ageBand: '80_plus',
  address: '古城路18号',
  location: { lat: 30.6, lng: 119.6 },
  tags: ['living_alone', 'low_income'],
  idNumber: '330523194501011234',
  phone: '13812341234',
  guardian: { name: '王建国', phone: '13987654321', relation: '儿子' },
  version: 1,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-02T00:00:00Z'),
};

describe('beneficiary policy', () => {
  it('officials of the jurisdiction outrank ownership; strangers get nothing', () => {
    expect(beneficiaryAccess(true, true)).toBe('official');
    expect(beneficiaryAccess(false, true)).toBe('official');
    expect(beneficiaryAccess(true, false)).toBe('owner');
    expect(beneficiaryAccess(false, false)).toBe('none');
  });

  it('the owner sees the profile but neither tags nor the identity number', () => {
    const view = toBeneficiaryView(record, 'owner');
    expect(view).not.toHaveProperty('tags');
    expect(view).not.toHaveProperty('idNumber');
    expect(view.idNumberOnFile).toBe(true);
    expect(JSON.stringify(view)).not.toContain('194501');
    expect(view.phone).toBe('13812341234');
    expect(toBeneficiaryView({ ...record, idNumber: null }, 'owner').idNumberOnFile).toBe(false);
  });

  it('officials see tags and the identity number on the profile page', () => {
    const view = toBeneficiaryView(record, 'official');
    expect(view.tags).toEqual(['living_alone', 'low_income']);
    expect(view.idNumber).toBe('330523194501011234');
    expect(view).not.toHaveProperty('idNumberOnFile');
  });

  it('lists mask phone and identity number, and carry no address or guardian', () => {
    for (const access of ['owner', 'official'] as const) {
      const item = toBeneficiaryListItem(record, access);
      const text = JSON.stringify(item);
      expect(item.phone).toBe('138****1234');
      expect(text).not.toContain('13812341234');
      expect(text).not.toContain('13987654321');
      expect(text).not.toContain('古城路');
      expect(text).not.toContain('194501011234');
    }
    expect(toBeneficiaryListItem(record, 'official').idNumber).toBe('330523********1234');
    expect(toBeneficiaryListItem(record, 'owner')).not.toHaveProperty('tags');
    expect(toBeneficiaryListItem(record, 'owner')).not.toHaveProperty('idNumber');
  });

  it('validates identity numbers and contact phones', () => {
    for (const ok of ['330523194501011234', '33052319450101123X', '330523450101123']) expect(ID_NUMBER_PATTERN.test(ok)).toBe(true);
    for (const bad of ['3305231945010112', '33052319450101123Y', 'abc', '']) expect(ID_NUMBER_PATTERN.test(bad)).toBe(false);
    for (const ok of ['13812341234', '0572-5123456', '057212345678']) expect(CONTACT_PHONE_PATTERN.test(ok)).toBe(true);
    for (const bad of ['12812341234', '5123456', '+8613812341234']) expect(CONTACT_PHONE_PATTERN.test(bad)).toBe(false);
    expect(BENEFICIARY_TAG_CODES).toEqual(expect.arrayContaining(['living_alone', 'left_behind_child', 'disability', 'low_income']));
  });
});
