import { ref } from 'vue';
import type { RegionFeatureCollection, TeamFeatureCollection } from '@shared/types';
import { api, call } from './api';

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
