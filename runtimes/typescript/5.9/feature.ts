// TypeScript 5.x on Node.js 24: ES2024's library types (Object.groupBy, Promise.withResolvers), `satisfies`
// (4.9), const type parameters (5.0) and `using` declarations (5.2).
type Fruit = { name: string; color: "red" | "yellow" };

const fruits = [
  { name: "apple", color: "red" },
  { name: "banana", color: "yellow" },
  { name: "cherry", color: "red" },
] satisfies Fruit[];

function firstOf<const T extends readonly unknown[]>(items: T): T[0] {
  return items[0];
}

const byColor: Partial<Record<Fruit["color"], Fruit[]>> = Object.groupBy(fruits, (fruit) => fruit.color);
const { promise, resolve } = Promise.withResolvers<string>();
const log: string[] = [];
{
  using _guard = { [Symbol.dispose]: () => log.push("disposed") };
}
const first: "OK" = firstOf(["OK", "not"] as const);
resolve(first);
promise.then((word) => {
  if (byColor.red?.length !== 2 || log[0] !== "disposed") throw new Error("unexpected results");
  console.log(word);
});
