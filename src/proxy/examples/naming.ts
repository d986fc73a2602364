/**
 * The result file naming convention `model_experiment_condition_YYYYMMDD_HHMMSS.mat`. The model
 * part has no underscores, so the first underscore ends it; the condition may contain more.
 */

export interface ResultFileName {
  model: string;
  experiment: string;
  condition: string;
  /** `YYYYMMDD_HHMMSS`, the wall-clock start of the run. */
  stamp: string;
}

const STAMP = /^\d{8}_\d{6}$/;
const NAME = /^([A-Za-z0-9]+)_([A-Za-z0-9]+)_(.+)_(\d{8}_\d{6})\.mat$/;

export function formatResultFileName({ model, experiment, condition, stamp }: ResultFileName): string {
  if (!/^[A-Za-z0-9]+$/.test(model) || !/^[A-Za-z0-9]+$/.test(experiment) || !STAMP.test(stamp)) {
    throw new Error(`not a conventional result file name: ${model}_${experiment}_${condition}_${stamp}`);
  }
  return `${model}_${experiment}_${condition}_${stamp}.mat`;
}

export function parseResultFileName(fileName: string): ResultFileName | undefined {
  const match = NAME.exec(fileName);
  return match ? { model: match[1], experiment: match[2], condition: match[3], stamp: match[4] } : undefined;
}

/** A parameter value in a file name, where a dot would look like an extension: 0.5 -> `0p5`. */
export function numberTag(value: number): string {
  return String(value).replace('-', 'm').replace('.', 'p');
}
