/**
 * Who may change which menu item. Pure, so it is unit-tested directly; `CatalogService` feeds it the
 * caller's jurisdiction.
 *
 * - a deployment-wide item (`regionId` null): everyone sees it, only the everything-scope admin edits it;
 * - a county's own item: that county's staff see it, its county-wide admins edit it, and to everyone
 *   else (other counties' staff) it does not exist;
 * - the everything-scope admin sees and edits every item.
 */
export type MenuEditor = { kind: 'all' } | { kind: 'county'; countyId: string } | { kind: 'none' };

/**
 * Who may change the menu: the everything-scope admin, a county-wide admin (their county), nobody
 * else. `scope` is the caller's staff scope (`JurisdictionService.staffScope`).
 */
export function menuEditorOf(
  roles: readonly string[],
  scope: { kind: 'all' } | { kind: 'subtree'; regionId: string; countyWide: boolean } | { kind: 'none' },
): MenuEditor {
  if (!roles.includes('admin')) return { kind: 'none' };
  if (scope.kind === 'all') return { kind: 'all' };
  if (scope.kind === 'subtree' && scope.countyWide) return { kind: 'county', countyId: scope.regionId };
  return { kind: 'none' };
}

export interface MenuItemScope {
  regionId: string | null;
}

export type MenuRight = 'edit' | 'read' | 'hidden';

/** `viewerCounty`: the county of the caller's jurisdiction (null: none, or the everything scope). */
export function menuEditRight(editor: MenuEditor, viewerCounty: string | null, item: MenuItemScope): MenuRight {
  if (editor.kind === 'all') return 'edit';
  if (item.regionId === null) return 'read';
  if (editor.kind === 'county' && editor.countyId === item.regionId) return 'edit';
  return item.regionId === viewerCounty ? 'read' : 'hidden';
}
