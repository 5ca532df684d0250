export const TARGET = 'exercise' as const;
