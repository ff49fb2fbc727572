// The app's studio screens' calls, made with its own services (styles.ts, fusion.ts,
// exports.ts, stripped of their types), in two phases the test drives:
//   node studio_flow.mjs submit PHOTO_ID JOB_A JOB_B   the style gallery's list and apply, an
//       HD export, a fusion and a composition of two prints; prints the jobs as the app got them
//   node studio_flow.mjs results IDS_JSON              once the test saw every job finish on
//       its WebSocket: each job's status call, the lists, the files' sizes as downloaded, and
//       AI generation's refusal as the app's AI screen would catch it
// Prints one JSON object.

import { applyStyle, getStyleJob, getStyleJobs, getStylePresets } from "./styles.mjs";
import { generateAIArt, getExportJob, getExportJobs, requestHDExport } from "./exports.mjs";
import { fusionService } from "./fusion.mjs";

async function size(url) {
  const resp = await fetch(url); // a presigned URL: no token, as the app's image loader
  if (resp.status !== 200) throw new Error(`GET ${url}: ${resp.status}`);
  return (await resp.arrayBuffer()).byteLength;
}

async function submit(photoId, first, second) {
  const presets = await getStylePresets();
  const chosen = presets.free[presets.free.length - 1]; // the gallery's last preset
  const style = await applyStyle({ photoId, stylePresetId: chosen.id, processingJobId: first });
  const exported = await requestHDExport({ sourceType: "processed", sourceJobId: first });
  const fusion = await fusionService.createFusion([first, second], "no-circle-on-a-box");
  const composition = await fusionService.createComposition([first, second], "", "grid_2x2");
  return { presets, chosen: chosen.id, style, exported, fusion, composition };
}

async function results(ids) {
  const style = await getStyleJob(ids.style);
  const styles = await getStyleJobs(ids.photo);
  const exported = await getExportJob(ids.exported);
  const exports = await getExportJobs();
  const fusion = await fusionService.getFusionStatus(ids.fusion);
  const composition = await fusionService.getFusionStatus(ids.composition);
  const fusions = await fusionService.getUserFusions();
  let generation;
  try {
    await generateAIArt(ids.photo, ids.first, "a galaxy", "cosmic");
    generation = { status: 201 };
  } catch (err) {
    generation = { status: err.response?.status, detail: err.response?.data?.detail };
  }
  const sizes = {
    style: await size(style.resultUrl),
    stylePreview: await size(style.previewUrl),
    exported: await size(exported.resultUrl),
    fusion: await size(fusion.result_url),
    composition: await size(composition.result_url),
  };
  return { style, styles, exported, exports, fusion, composition, fusions, generation, sizes };
}

const [phase, ...args] = process.argv.slice(2);
const out = phase === "submit" ? await submit(...args) : await results(JSON.parse(args[0]));
process.stdout.write(JSON.stringify(out));
