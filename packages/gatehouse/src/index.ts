import { x } from "@gatehouse/verify"; export const y = x + 1;
