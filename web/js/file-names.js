// The names of downloaded files (Download model's NAME.safetensors / .py / .onnx, Save project
// as file's NAME.convlab): one rule, so a project's files share their NAME. The project's name is
// outside input (typed, or read from a file): NFKC-normalised, characters that file systems refuse
// and control characters become '-', so does white space (NAME.py is run from a shell: no
// quoting needed), no leading or trailing dots or dashes (hidden files, "..") and at most
// rules.file_names.name_max characters. An empty result falls back to the kind's default name,
// which the engine also gives (rules.file_names.model / .project).
export function fileBase(name, fallback, rules) {
  const raw = String(name ?? '').normalize('NFKC').trim();
  const safe = raw.replace(/[\\/:*?"<>|\p{Cc}]+/gu, '-').replace(/\s+/g, '-').replace(/-{2,}/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
  // cut by code points, not UTF-16 units, so a name never ends in half a surrogate pair
  return [...safe].slice(0, rules.file_names.name_max).join('').replace(/[.-]+$/, '') || fallback;
}
