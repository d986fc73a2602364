import { parseDescription } from './description';

describe('parseDescription', () => {
  it.each([
    ['Temperature of element [K|degC]', { text: 'Temperature of element', unit: 'K', displayUnit: 'degC', valueType: null }],
    ['Time in seconds[s]', { text: 'Time in seconds', unit: 's', displayUnit: null, valueType: null }],
    ['Voltage [V] ', { text: 'Voltage', unit: 'V', displayUnit: null, valueType: null }],
    ['Switch [:#(type=Boolean)]', { text: 'Switch', unit: null, displayUnit: null, valueType: 'Boolean' }],
    ['Mode [:#(type=Modelica.Fluid.Types.Dynamics)]', { text: 'Mode', unit: null, displayUnit: null, valueType: 'Modelica.Fluid.Types.Dynamics' }],
    ['Thermal resistance [(K/W)|K/kW]', { text: 'Thermal resistance', unit: '(K/W)', displayUnit: 'K/kW', valueType: null }],
    ['Element x[1] of a vector', { text: 'Element x[1] of a vector', unit: null, displayUnit: null, valueType: null }],
    ['Weird [a]b]', { text: 'Weird [a]b]', unit: null, displayUnit: null, valueType: null }],
    ['', { text: '', unit: null, displayUnit: null, valueType: null }],
    ['No unit []', { text: 'No unit', unit: null, displayUnit: null, valueType: null }],
  ])('%j', (description, expected) => {
    expect(parseDescription(description)).toEqual(expected);
  });
});
