/**
 * The shared frame of the queue page's charts (backlog, waits): the same margins, value-axis
 * width and time-axis setup, so their plot areas and time axes line up one above the other.
 */
export const CHART_MARGIN = { top: 5, right: 10, bottom: 0, left: 0 };
export const Y_AXIS_WIDTH = 56;

/** Ticks and lines in the text color, so both themes read. */
export const AXIS_STYLE = { tick: { fontSize: 11, fill: 'currentColor' }, stroke: 'currentColor', strokeOpacity: 0.4 } as const;

/** The x axis: `t` in ms since the epoch, on a time scale. */
export const TIME_AXIS = { dataKey: 't', type: 'number', scale: 'time', ...AXIS_STYLE } as const;

export const GRID_STYLE = { strokeDasharray: '3 3', stroke: 'currentColor', strokeOpacity: 0.15 } as const;
