import { load } from "js-yaml";
import type { YamlParser } from "./user-data";

/**
 * YAML parsing for user-data checks (js-yaml 4: safe by default, no custom tags or code). The
 * wizard imports this module lazily, so its parser stays out of the page's first load.
 */
export const parseYaml: YamlParser = (text) => load(text);
