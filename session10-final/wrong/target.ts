export const TARGET = 'wrong' as const;
