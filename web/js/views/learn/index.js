// "Inside the CNN": the lecture's views on the user's own model. Mounted by app.js into
// #view-learn with the shared context (see app.js for what ctx holds).
export function mountLearn(root, ctx) {
  root.innerHTML = '';
}
