// The engine's rules as the page reads them. app.js fetches them once at start-up (the
// worker's `rules` command: limits, defaults and presets written once in core/, see
// core/include/convlab/rules.h) and hands them to every view as ctx.rules; nothing here
// restates a number.
//   rules.classes   {min, max, name_max, default_names}
//   rules.train     {defaults, fields: {key: {min, max, step}}, optimizers, default_lr}
//   rules.input     {channels: [..], height: {min, max}, width: {min, max}}
//   rules.layers    {types, fields: {type: [{key, min, max, default?, same?}]}, defaults: {type: layer}}
//   rules.budget    {max_params, max_activation}
//   rules.store     {max_side, cap}
//   rules.file_names {model, project, name_max}: downloaded files' names (file-names.js)
//   rules.playground [{name, w, k, s, p}]
export function loadRules(engine) {
  return engine.call('rules');
}

// The editable fields of a layer type: [{key, min, max, default?, same?}].
export const layerFields = (rules, type) => rules.layers.fields[type] ?? [];

// The value a layer's field has when the spec leaves it out: the rule's default, which may
// name another field ("kernel": a pool's stride is its kernel); a field without a default
// starts at its minimum (padding 0).
export function fieldValue(rules, layer, key) {
  if (layer[key] !== undefined) return layer[key];
  const f = layerFields(rules, layer.type).find((x) => x.key === key);
  if (!f) return undefined;
  if (typeof f.default === 'string') return layer[f.default];
  return f.default ?? f.min;
}
