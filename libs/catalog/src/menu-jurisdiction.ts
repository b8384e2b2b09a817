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
