import { computed, ref } from 'vue';
import type { RegionFeatureCollection, TeamFeatureCollection } from '@shared/types';
import { api, call } from './api';
import { session } from './session';

/** Region boundaries and the client config change rarely: loaded once per page view of the console. */
export const regions = ref<RegionFeatureCollection | null>(null);
export const tileUrl = ref<string | null>(null);
export const teams = ref<TeamFeatureCollection | null>(null);
let loading: Promise<void> | null = null;

export function loadMapBase(): Promise<void> {
  loading ??= (async () => {
    const [fc, config, teamFc] = await Promise.all([
      call(api.GET('/api/v1/map/regions', { params: { query: { tolerance: 0.0005 } } })),
      call(api.GET('/api/v1/client-config')),
      call(api.GET('/api/v1/map/teams')),
    ]);
    regions.value = fc;
    teams.value = teamFc;
    tileUrl.value = config.mapTileUrl;
  })().catch((e) => {
    loading = null;
    throw e;
  });
  return loading;
}

/**
 * The boundaries of the signed-in person's own region and the regions inside it (a grid worker: their
 * grid; staff: their jurisdiction), so a map for picking a location opens on the place they serve.
 * Everything when they have no region (the first admin) or it has no boundary.
 */
export const regionsOfMine = computed<RegionFeatureCollection | null>(() => {
  const fc = regions.value;
  const root = session.user?.regionId;
  if (!fc || !root || !fc.features.some((f) => f.id === root)) return fc;
  const inside = new Set<string>([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of fc.features) {
      const parent = (f.properties as { parentId?: string | null }).parentId;
      if (parent && inside.has(parent) && !inside.has(f.id as string)) {
        inside.add(f.id as string);
        grew = true;
      }
    }
  }
  return { ...fc, features: fc.features.filter((f) => inside.has(f.id as string)) };
});
