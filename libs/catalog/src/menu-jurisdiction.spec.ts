import { menuEditorOf, menuEditRight, MenuEditor } from './menu-jurisdiction';

const ANJI = 'county-anji';
const DEQING = 'county-deqing';
const everything: MenuEditor = { kind: 'all' };
const anjiAdmin: MenuEditor = { kind: 'county', countyId: ANJI };
const staffOnly: MenuEditor = { kind: 'none' };

describe('menuEditRight', () => {
  it('lets the everything-scope admin edit every item', () => {
    expect(menuEditRight(everything, null, { regionId: null })).toBe('edit');
    expect(menuEditRight(everything, null, { regionId: DEQING })).toBe('edit');
  });

  it('shows deployment-wide items to a county admin read-only', () => {
    expect(menuEditRight(anjiAdmin, ANJI, { regionId: null })).toBe('read');
  });

  it('lets a county admin edit their own county\'s items and hides other counties\' items', () => {
    expect(menuEditRight(anjiAdmin, ANJI, { regionId: ANJI })).toBe('edit');
    expect(menuEditRight(anjiAdmin, ANJI, { regionId: DEQING })).toBe('hidden');
  });

  it('shows a township dispatcher their county\'s items read-only, and nothing of other counties', () => {
    expect(menuEditRight(staffOnly, ANJI, { regionId: ANJI })).toBe('read');
    expect(menuEditRight(staffOnly, ANJI, { regionId: DEQING })).toBe('hidden');
    expect(menuEditRight(staffOnly, null, { regionId: ANJI })).toBe('hidden');
  });
});

describe('menuEditorOf', () => {
  it('gives the menu to the everything-scope admin and county-wide admins only', () => {
    expect(menuEditorOf(['admin'], { kind: 'all' })).toEqual({ kind: 'all' });
    expect(menuEditorOf(['admin'], { kind: 'subtree', regionId: 'c1', countyWide: true })).toEqual({ kind: 'county', countyId: 'c1' });
    expect(menuEditorOf(['admin'], { kind: 'subtree', regionId: 't1', countyWide: false })).toEqual({ kind: 'none' });
    expect(menuEditorOf(['dispatcher'], { kind: 'all' })).toEqual({ kind: 'none' });
    expect(menuEditorOf(['admin'], { kind: 'none' })).toEqual({ kind: 'none' });
  });
});
