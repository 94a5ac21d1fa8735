// Filled by the renovation (issue 23).
export {};
