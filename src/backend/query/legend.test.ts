import { renderLegend } from './legend';

describe('renderLegend', () => {
  const values = { simulation: 'run_a', variable: 'pipe.T', unit: 'degC', model: 'Pipe', experiment: 'warmup' };

  it('defaults to simulation and variable', () => {
    expect(renderLegend(undefined, values)).toBe('run_a pipe.T');
    expect(renderLegend('  ', values)).toBe('run_a pipe.T');
  });

  it('fills every placeholder, with or without spaces inside the braces', () => {
    expect(renderLegend('{{model}}/{{ experiment }}: {{variable}} [{{unit}}]', values)).toBe('Pipe/warmup: pipe.T [degC]');
  });

  it('empties known keys without a value and collapses the space they leave', () => {
    expect(renderLegend('{{condition}} {{variable}}  {{folder}}', values)).toBe('pipe.T');
  });

  it('keeps unknown placeholders visible', () => {
    expect(renderLegend('{{simualtion}} {{variable}}', values)).toBe('{{simualtion}} pipe.T');
  });
});
