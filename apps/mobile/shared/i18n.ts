import { computed, ref, watch } from 'vue';
import { onShow } from '@dcloudio/uni-app';
import type { Lang } from '@shared/labels';

/** A small i18n for the apps (plain text, zh-CN first); vue-i18n is not needed for this much. */
const saved = (() => {
  try {
    return uni.getStorageSync('xinyuan.lang') as Lang;
  } catch {
    return '';
  }
})();
export const lang = ref<Lang>(saved === 'en' ? 'en' : 'zh');

export function setLang(l: Lang) {
  lang.value = l;
  uni.setStorageSync('xinyuan.lang', l);
}

export function useT<M extends Record<string, { zh: string; en: string }>>(messages: M) {
  const t = (key: keyof M, vars: Record<string, string | number> = {}) =>
    messages[key][lang.value].replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
  return { t, lang: computed(() => lang.value) };
}

export function toast(message: string) {
  uni.showToast({ title: message, icon: 'none', duration: 3000 });
}

/**
 * The page's navigation bar title (pages.json holds the Chinese one) in the chosen language: set when
 * the page shows and again when the language changes. Call from a page's setup.
 */
export function useNavTitle(title: () => string) {
  const apply = () => uni.setNavigationBarTitle({ title: title() });
  onShow(apply);
  watch(lang, apply);
}
