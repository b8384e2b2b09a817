/**
 * Element Plus's toast and message box, with their styles: components used in templates are imported
 * per component by the build (unplugin-vue-components), but these two are called from scripts.
 */
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';

export { ElMessage, ElMessageBox } from 'element-plus';
