import { ref } from 'vue';
import type { SkillLabelView } from '@shared/types';
import type { Lang } from '@shared/labels';
import { api, call } from './api';

/** Skill ids with their labels (GET /api/v1/skills), loaded once per page view and after an edit. */
export const skills = ref<SkillLabelView[]>([]);
let loading: Promise<void> | null = null;

export function loadSkills(force = false): Promise<void> {
  if (force) loading = null;
  loading ??= call(api.GET('/api/v1/skills'))
    .then((list) => void (skills.value = list.items))
    .catch((e) => {
      loading = null;
      throw e;
    });
  return loading;
}

/** A skill as people read it: its label in the language, else the other language's, else the id. */
export function skillLabel(code: string, lang: Lang): string {
  const s = skills.value.find((x) => x.code === code);
  return (lang === 'en' ? s?.en ?? s?.zh : s?.zh ?? s?.en) ?? code;
}
