export const TARGET = 'solution' as const;
