// A LIKE pattern that finds `text` anywhere: its own % and _ (and the escape) are matched literally.
export const containing = (text: string): string => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
